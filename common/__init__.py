"""Small helpers shared by every app. Imports nothing from the apps."""
