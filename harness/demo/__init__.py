"""The demo: a sample production estate, built on a private moto server."""
