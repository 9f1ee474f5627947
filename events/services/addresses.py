"""The exact address of a site that asks to be shown approximately (an azc whose address
is not public): its coordinators share it with the volunteers they accept, one by one,
and every time it reaches someone else it is recorded (`AddressDisclosure`), so the
coordinators see who has it.

Claiming a place is open to any verified account; without this step a stranger could
claim an open shift, read the address, and release the shift again.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from common import clock
from common.errors import InvalidInput

from .. import notifications
from ..models import Signup


def address_share(*, signup: Signup, by) -> Signup:
    """Share the exact address of `signup`'s site with its volunteer, who is mailed it.
    Only for a confirmed place (`InvalidInput` otherwise); sharing again changes nothing."""
    with transaction.atomic():
        signup = (
            Signup.objects.select_for_update(of=("self",))
            .select_related("shift__site__location", "volunteer__user")
            .get(pk=signup.pk)
        )
        if not signup.is_confirmed:
            raise InvalidInput(
                _("The address is shared only with a volunteer who has a confirmed place.")
            )
        if signup.address_shared_at is not None:
            return signup
        signup.address_shared_at = clock.now()
        signup.address_shared_by = by
        signup.save(update_fields=["address_shared_at", "address_shared_by", "updated_at"])
        notifications.mail_address_shared([signup.pk])
    return signup
