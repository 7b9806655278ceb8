"""The promises API: viewset, serializers, filters and their OpenAPI description."""
