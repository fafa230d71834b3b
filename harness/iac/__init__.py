"""Infrastructure-as-code support: Terraform (CLI config, override file, state, plan) and CloudFormation."""
