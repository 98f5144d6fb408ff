"""Orders for a stop's next visit: placed by homes and villagers, decided by the operator."""
