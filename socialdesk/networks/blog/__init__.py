"""What the blog adapters (WordPress, Ghost) share: HTTP with sorted errors, the body's HTML, the marker."""
