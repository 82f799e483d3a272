"""Models arrive with their own issue; the app exists so that every capability has its place from day one."""
