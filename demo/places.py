"""The demo's data: its accounts, real Dutch towns with an azc or a square where coffee is
poured, and the shifts its sites start with."""

import datetime
import uuid

from events.models import Shift
from locations.models import Province

DEMO_PASSWORD = "actiedag-demo-2027"  # noqa: S105 (published on purpose: demo only)
DEMO_ORGANISER = "organiser@example.org"
DEMO_COORDINATOR = "coordinator@example.org"
DEMO_VOLUNTEER = "volunteer@example.org"
DEMO_COORDINATOR_BRANCH = "Afdeling Utrecht"
# A place of the demo coordinator's branch with no site in the coming editions, so that
# the coordinator can register one on the day the demo is run: (name, street).
DEMO_COORDINATOR_FREE_PLACE = ("Domplein, Utrecht", "Domplein")
DEMO_VOLUNTEER_NAMES = [
    ("Anouk", "de Vries"),
    ("Yusuf", "Haddad"),
    ("Merel", "Jansen"),
    ("Tesfay", "Gebremedhin"),
    ("Sanne", "Bakker"),
    ("Rahim", "Ahmadi"),
    ("Lotte", "Visser"),
    ("Nour", "Al-Khatib"),
    ("Daan", "Smit"),
    ("Samira", "El Idrissi"),
    ("Joris", "Mulder"),
    ("Hiwet", "Tekle"),
    ("Fleur", "de Boer"),
    ("Omar", "Sayed"),
    ("Ruben", "Meijer"),
    ("Layla", "Hassan"),
]

TALLY_NAMESPACE = uuid.UUID("6f1c2a52-7d0e-4c55-9d55-2c6a3b1f0a18")

# (town as written in Dutch, name in the gazetteer, province)
AZC_TOWNS = [
    ("Ter Apel", "Ter Apel", Province.GRONINGEN),
    ("Musselkanaal", "Musselkanaal", Province.GRONINGEN),
    ("Winschoten", "Winschoten", Province.GRONINGEN),
    ("Delfzijl", "Delfzijl", Province.GRONINGEN),
    ("Groningen", "Groningen", Province.GRONINGEN),
    ("Assen", "Assen", Province.DRENTHE),
    ("Emmen", "Emmen", Province.DRENTHE),
    ("Hoogeveen", "Hoogeveen", Province.DRENTHE),
    ("Veenhuizen", "Veenhuizen", Province.DRENTHE),
    ("Leeuwarden", "Leeuwarden", Province.FRIESLAND),
    ("Sneek", "Sneek", Province.FRIESLAND),
    ("Drachten", "Drachten", Province.FRIESLAND),
    ("Burgum", "Burgum", Province.FRIESLAND),
    ("Zwolle", "Zwolle", Province.OVERIJSSEL),
    ("Almelo", "Almelo", Province.OVERIJSSEL),
    ("Enschede", "Enschede", Province.OVERIJSSEL),
    ("Dronten", "Dronten", Province.FLEVOLAND),
    ("Luttelgeest", "Luttelgeest", Province.FLEVOLAND),
    ("Zeewolde", "Zeewolde", Province.FLEVOLAND),
    ("Apeldoorn", "Apeldoorn", Province.GELDERLAND),
    ("Arnhem", "Arnhem", Province.GELDERLAND),
    ("Nijmegen", "Nijmegen", Province.GELDERLAND),
    ("Wageningen", "Wageningen", Province.GELDERLAND),
    ("Ede", "Ede", Province.GELDERLAND),
    ("Utrecht", "Utrecht", Province.UTRECHT),
    ("Amersfoort", "Amersfoort", Province.UTRECHT),
    ("Zeist", "Zeist", Province.UTRECHT),
    ("Amsterdam", "Amsterdam", Province.NOORD_HOLLAND),
    ("Den Helder", "Den Helder", Province.NOORD_HOLLAND),
    ("Heerhugowaard", "Heerhugowaard", Province.NOORD_HOLLAND),
    ("Rijswijk", "Rijswijk", Province.ZUID_HOLLAND),
    ("Alphen aan den Rijn", "Alphen aan den Rijn", Province.ZUID_HOLLAND),
    ("Rotterdam", "Rotterdam", Province.ZUID_HOLLAND),
    ("Dordrecht", "Dordrecht", Province.ZUID_HOLLAND),
    ("Middelburg", "Middelburg", Province.ZEELAND),
    ("Oisterwijk", "Oisterwijk", Province.NOORD_BRABANT),
    ("Gilze", "Gilze", Province.NOORD_BRABANT),
    ("Budel", "Budel", Province.NOORD_BRABANT),
    ("Overloon", "Overloon", Province.NOORD_BRABANT),
    ("Echt", "Echt", Province.LIMBURG),
    ("Weert", "Weert", Province.LIMBURG),
    ("Maastricht", "Maastricht", Province.LIMBURG),
]

# (town, name in the gazetteer, province, square where coffee is handed out)
COFFEE_SPOTS = [
    ("Groningen", "Groningen", Province.GRONINGEN, "Grote Markt"),
    ("Leeuwarden", "Leeuwarden", Province.FRIESLAND, "Nieuwestad"),
    ("Zwolle", "Zwolle", Province.OVERIJSSEL, "Grote Markt"),
    ("Enschede", "Enschede", Province.OVERIJSSEL, "Oude Markt"),
    ("Deventer", "Deventer", Province.OVERIJSSEL, "Brink"),
    ("Apeldoorn", "Apeldoorn", Province.GELDERLAND, "Marktplein"),
    ("Arnhem", "Arnhem", Province.GELDERLAND, "Korenmarkt"),
    ("Nijmegen", "Nijmegen", Province.GELDERLAND, "Grote Markt"),
    ("Utrecht", "Utrecht", Province.UTRECHT, "Neude"),
    ("Amersfoort", "Amersfoort", Province.UTRECHT, "Hof"),
    ("Amsterdam", "Amsterdam", Province.NOORD_HOLLAND, "Dam"),
    ("Haarlem", "Haarlem", Province.NOORD_HOLLAND, "Grote Markt"),
    ("Alkmaar", "Alkmaar", Province.NOORD_HOLLAND, "Waagplein"),
    ("Hilversum", "Hilversum", Province.NOORD_HOLLAND, "Kerkbrink"),
    ("Leiden", "Leiden", Province.ZUID_HOLLAND, "Beestenmarkt"),
    ("Den Haag", "The Hague", Province.ZUID_HOLLAND, "Plein"),
    ("Delft", "Delft", Province.ZUID_HOLLAND, "Markt"),
    ("Rotterdam", "Rotterdam", Province.ZUID_HOLLAND, "Binnenrotte"),
    ("Dordrecht", "Dordrecht", Province.ZUID_HOLLAND, "Statenplein"),
    ("Gouda", "Gouda", Province.ZUID_HOLLAND, "Markt"),
    ("Middelburg", "Middelburg", Province.ZEELAND, "Markt"),
    ("Breda", "Breda", Province.NOORD_BRABANT, "Grote Markt"),
    ("Tilburg", "Tilburg", Province.NOORD_BRABANT, "Heuvel"),
    ("Eindhoven", "Eindhoven", Province.NOORD_BRABANT, "Markt"),
    ("Maastricht", "Maastricht", Province.LIMBURG, "Vrijthof"),
    ("Venlo", "Venlo", Province.LIMBURG, "Markt"),
]

OPEN_DAY_SHIFTS = [
    # (role, start, end, places)
    (Shift.Role.SETUP, datetime.time(9, 30), datetime.time(11, 0), 2),
    (Shift.Role.RECEPTION, datetime.time(11, 0), datetime.time(13, 30), 3),
    (Shift.Role.RECEPTION, datetime.time(13, 30), datetime.time(16, 0), 3),
    (Shift.Role.TOUR_GUIDE, datetime.time(11, 0), datetime.time(13, 30), 4),
    (Shift.Role.TOUR_GUIDE, datetime.time(13, 30), datetime.time(16, 0), 4),
    (Shift.Role.COFFEE, datetime.time(11, 0), datetime.time(16, 0), 2),
    (Shift.Role.COUNTING, datetime.time(11, 0), datetime.time(13, 30), 1),
    (Shift.Role.COUNTING, datetime.time(13, 30), datetime.time(16, 0), 1),
]

COFFEE_SHIFTS = [
    (Shift.Role.SETUP, datetime.time(9, 30), datetime.time(10, 0), 2),
    (Shift.Role.COFFEE, datetime.time(10, 0), datetime.time(12, 0), 3),
    (Shift.Role.COFFEE, datetime.time(12, 0), datetime.time(14, 0), 3),
    (Shift.Role.CONVERSATION, datetime.time(10, 0), datetime.time(14, 0), 4),
]
