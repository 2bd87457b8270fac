"""IP属地 (Article 12): geoip2-based region lookup and the display rules for its labels.

This package knows nothing of HTTP. ``GeoResolver`` reads GeoIP2-City-layout MMDB files through
``geoip2.database.Reader.city()``; ``labels`` owns every display rule.
"""

from acctcheck.geo.region import IpRegion
from acctcheck.geo.resolver import GeoResolver

__all__ = ["GeoResolver", "IpRegion"]
