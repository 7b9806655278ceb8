"""The agents API: viewsets, serializers, filters and their OpenAPI description."""
