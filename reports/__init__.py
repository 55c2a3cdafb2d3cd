"""Pure pandas reports: tidy frames in, report frames and exports out."""
