"""The build: source/ and its cited supplements into the database, one job per module."""
