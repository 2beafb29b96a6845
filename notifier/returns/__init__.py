"""Returns: returned envelopes, their reasons, forwarding addresses, re-mail and give-up."""
