"""Reading configuration: find files, parse YAML safely, keep positions."""
