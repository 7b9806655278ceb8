"""The cases API: viewsets, serializers, filters and their OpenAPI description."""
