"""Router aggregation: every HTTP router of the application is registered here."""

from fastapi import APIRouter

from api.http.emails import router as emails_router
from api.http.health import router as health_router
from api.http.metrics import router as metrics_router
from api.http.ready import router as ready_router

router = APIRouter()

router.include_router(health_router, tags=["Health"])
router.include_router(ready_router, tags=["Health"])
router.include_router(metrics_router)
router.include_router(emails_router, prefix="/emails", tags=["Emails"])
