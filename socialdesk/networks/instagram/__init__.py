"""Instagram professional accounts through the Instagram Graph API with Facebook Login (graph.facebook.com)."""
