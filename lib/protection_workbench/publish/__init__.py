"""Publishing: what turns report figures into what reviewers read (HTML, tables, labels)."""
