"""Author Markdown: one parse, its inline syntax, what a reader sees of it, citation formats, the sanitizer."""
