proxmox_api_token_id     = "terraform@pve!homelab"
proxmox_api_token_secret = "beec5971-7ae0-4003-b603-397b479b1fe5"
