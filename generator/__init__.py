"""protocols: a static site generator for clinical protocols."""
