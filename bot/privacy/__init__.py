"""What a person may see and remove: /export, /vergeet."""
