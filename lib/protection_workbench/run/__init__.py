"""What runs: the weekly run's orchestration, notebook execution, provenance, the site pages."""
