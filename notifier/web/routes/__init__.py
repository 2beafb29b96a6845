"""One module per page group; each handler parses the form, calls one service, renders a template."""
