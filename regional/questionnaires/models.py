"""Regional questionnaire templates (public schema)."""
