terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region = "us-east-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = { Name = "main", env = "prod" }
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
  tags              = { Name = "main-a" }
}

resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "us-east-1b"
  tags              = { Name = "main-b" }
}

resource "aws_security_group" "db" {
  name        = "prod-db"
  description = "database access"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "prod-db" }
}

resource "aws_db_subnet_group" "db" {
  name       = "prod-db"
  subnet_ids = [aws_subnet.a.id, aws_subnet.b.id]
}

resource "aws_db_instance" "db" {
  identifier              = "prod-db"
  engine                  = "postgres"
  engine_version          = "16.3"
  instance_class          = "db.t3.micro"
  allocated_storage       = 20
  username                = "app"
  password                = var.db_password
  db_subnet_group_name    = aws_db_subnet_group.db.name
  vpc_security_group_ids  = [aws_security_group.db.id]
  backup_retention_period = 7
  skip_final_snapshot     = true
  delete_automated_backups = true
  tags                    = { env = "prod" }
}

resource "aws_db_snapshot" "before_migration" {
  db_instance_identifier = aws_db_instance.db.identifier
  db_snapshot_identifier = "prod-db-before-migration"
}

resource "aws_s3_bucket" "assets_copy" {
  bucket = "prod-assets-copy"
  tags   = { env = "prod" }
}

variable "db_password" {
  type      = string
  sensitive = true
}
