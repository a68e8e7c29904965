"""Security layer: exposed admin UIs and the auth proxies meant to protect them."""
