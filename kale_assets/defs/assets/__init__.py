"""One module per asset of the KALE graph."""
