"""The bundled demo: sample member feeds and an agenda, served on loopback, dated when served."""
