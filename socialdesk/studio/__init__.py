"""The studio: what helps write and shape a post before it goes out — writing checks (`studio/writing/`) and
visuals (fitting media to each network, branded cards, infographics, alt text)."""
