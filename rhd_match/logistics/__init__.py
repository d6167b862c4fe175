"""Delivery tours: vehicle routing from farms and hubs to canteens, and their totals."""

from .compare import compare_logistics, delivered_kg
from .routing import Fleet, Round, Routing, solve_routing
from .tours import TourPlan, plan_tours, tour_km

__all__ = [
    "Fleet",
    "Round",
    "Routing",
    "TourPlan",
    "compare_logistics",
    "delivered_kg",
    "plan_tours",
    "solve_routing",
    "tour_km",
]
