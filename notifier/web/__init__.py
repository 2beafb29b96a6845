"""The staff web app: server-rendered pages over the same services as the command line (an edge)."""
