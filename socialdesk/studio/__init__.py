"""The studio: tools that help write and shape a post before it goes out (writing checks, visuals, links)."""
