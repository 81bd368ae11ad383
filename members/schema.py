"""OpenAPI description of the unit-system token (drf-spectacular extension, loaded in apps.ready)."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class UnitTokenScheme(OpenApiAuthenticationExtension):
    target_class = "members.integration.UnitTokenAuthentication"
    name = "unitToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`UnitToken <key>`: a unit's own system; notices of that unit only."}
