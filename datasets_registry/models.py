# Providers, datasets and joint purchases arrive with the data registry issue (#6).
