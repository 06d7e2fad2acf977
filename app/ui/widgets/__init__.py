"""Small widget helpers shared by the window's feature packages."""
