"""shortlist"""
