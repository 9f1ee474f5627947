"""Forms check the shape of input; the services decide."""
