"""The content studio's visuals: fitting media to each network, branded cards, infographics, alt text."""
