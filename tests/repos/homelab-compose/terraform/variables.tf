variable "proxmox_api_token_id" {
  type = string
}

variable "proxmox_api_token_secret" {
  type      = string
  sensitive = true
}

variable "vm_password" {
  type      = string
  sensitive = true
  default   = ""
}
