"""The actions API: viewsets, serializers, filters and their OpenAPI description."""
