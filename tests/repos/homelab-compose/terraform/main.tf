provider "proxmox" {
  endpoint  = "https://pve.lan:8006/"
  api_token = "${var.proxmox_api_token_id}=${var.proxmox_api_token_secret}"
  insecure  = true
}

resource "proxmox_virtual_environment_vm" "k3s_worker" {
  count     = 3
  name      = "k3s-w-${count.index + 1}"
  node_name = "pve"
  initialization {
    user_account {
      username = "ubuntu"
      password = var.vm_password
      keys     = [file("~/.ssh/id_ed25519.pub")]
    }
  }
}
