"""The assignments API: viewsets, serializers, filters and their OpenAPI description."""
