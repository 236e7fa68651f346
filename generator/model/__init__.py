"""The typed data of a library (§1-§3): quantities, frequencies, field types, the file schemas, build dates."""
