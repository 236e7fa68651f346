"""From files to validated models: regular files only, YAML with locations, schema validation with recovery,
the library."""
