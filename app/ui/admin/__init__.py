"""Administration in the window: users, clinic settings, role-aware controls."""
