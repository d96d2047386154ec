"""Route-graph modelling: ways → networkx graph, segments, linear referencing, travel time."""

from routes.costs import PROFILES
from routes.graph import PROFILE_MODES, graph_from_ways
from routes.kmposts import KmPost, km_posts
from routes.linref import RouteLine, RoutePosition
from routes.network import RouteNetwork, RouteStop, WalkResult, build_network

__all__ = [
    "PROFILES",
    "PROFILE_MODES",
    "KmPost",
    "RouteLine",
    "RouteNetwork",
    "RoutePosition",
    "RouteStop",
    "WalkResult",
    "build_network",
    "graph_from_ways",
    "km_posts",
]
