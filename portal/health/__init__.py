"""Is this server fit to serve: it refuses to start without its production settings
(startup.py), and answers load balancers (/health/live, /health/ready), security
researchers (/.well-known/security.txt) and browsers (/favicon.ico)."""
