"""WordPress through its REST API (`/wp-json/wp/v2`) with an application password."""
