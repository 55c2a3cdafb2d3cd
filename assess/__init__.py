"""The assess web application, its models and its command line."""
