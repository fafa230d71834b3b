terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type = string
}

variable "log_retention_days" {
  type = number
}

resource "aws_s3_bucket" "app_logs" {
  bucket = "app-logs"
  tags   = { env = "prod", team = "platform" }
}

resource "aws_s3_bucket_lifecycle_configuration" "app_logs" {
  bucket = aws_s3_bucket.app_logs.id

  rule {
    id     = "expire-old-logs"
    status = "Enabled"
    filter {
      prefix = "2026/"
    }
    expiration {
      days = var.log_retention_days
    }
  }
}
