"""Platform layer: Flux GitOps objects, cert-manager certificates and issuers, Gateway API gateways and routes."""
