"""What the demo program is made of: its schools, people and the words of its entries.

Fixed text only, so that the demo reads the same on every machine; demo/people.py,
demo/sessions.py and demo/records.py turn it into records.
"""

from portal.mentoring.models import Attendance, ResourceNeedKind

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 (the published demo password)
STAFF_EMAIL = "staff@example.org"
SITE_CONTACT_EMAIL = "site@example.org"
MAIN_MENTOR_EMAIL = "mentor@example.org"

SITES = [
    (
        "Lincoln Elementary",
        "1200 Maple Ave",
        "Dana Whitfield",
        "School counselor",
        "site@example.org",
        "(312) 555-0141",
    ),
    (
        "Roosevelt Middle School",
        "88 Harbor St",
        "Marcus Hill",
        "Assistant principal",
        "mhill@roosevelt.example.org",
        "(312) 555-0177",
    ),
    (
        "Washington Elementary",
        "450 Elm St",
        "Priya Natarajan",
        "Social worker",
        "pnatarajan@washington.example.org",
        "(312) 555-0122",
    ),
    (
        "Jefferson Academy",
        "9 Lakeview Dr",
        "Tom Baker",
        "Dean of students",
        "tbaker@jefferson.example.org",
        "(312) 555-0190",
    ),
]

FIRST_NAMES = [
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Avery",
    "Quinn",
    "Jamie",
    "Drew",
    "Reese",
    "Parker",
    "Rowan",
    "Skyler",
    "Emerson",
    "Hayden",
    "Logan",
    "Peyton",
    "Cameron",
    "Dakota",
    "Elliot",
    "Finley",
    "Harper",
    "Kendall",
    "Lane",
    "Micah",
    "Noel",
    "Oakley",
    "Payton",
    "Remy",
    "Sage",
    "Tatum",
    "Val",
    "Wren",
    "Blair",
    "Charlie",
    "Devon",
    "Ellis",
    "Frankie",
    "Gray",
    "Hollis",
]
LAST_NAMES = [
    "Nguyen",
    "Patel",
    "Garcia",
    "Johnson",
    "Kim",
    "Okafor",
    "Smith",
    "Brown",
    "Lopez",
    "Cohen",
    "Murphy",
    "Singh",
    "Walker",
    "Young",
    "Adams",
    "Baker",
    "Clark",
    "Diaz",
    "Evans",
    "Foster",
]
MENTEE_NAMES = [
    "Aiden",
    "Bella",
    "Carlos",
    "Destiny",
    "Elijah",
    "Fatima",
    "Gabriel",
    "Hana",
    "Isaiah",
    "Jasmine",
    "Kevin",
    "Luna",
    "Mateo",
    "Nia",
    "Omar",
    "Paige",
    "Rafael",
    "Sofia",
    "Tyrese",
    "Uma",
    "Victor",
    "Willow",
    "Xavier",
    "Yara",
    "Zion",
    "Amara",
    "Brandon",
    "Chloe",
    "Diego",
    "Emma",
    "Felix",
    "Grace",
    "Hector",
    "Ivy",
    "Jayden",
    "Kiara",
    "Leo",
    "Maya",
    "Noah",
    "Olivia",
]

MET_NOTES = [
    "We played a card game and talked about the weekend. {name} was in a good mood and "
    "laughed a lot.",
    "Worked on reading together for most of the time. {name} was focused and proud of "
    "finishing a chapter.",
    "We shot hoops at recess and talked about friends at school. {name} seemed a little "
    "tired but opened up by the end.",
    "Did a drawing project. {name} was quieter than usual and didn't want to talk much about home.",
    "Talked about goals for the semester and made a list together. {name} was upbeat.",
    "Played chess. {name} is getting better and was excited to win a game.",
]
ABSENT_NOTES = {
    Attendance.MENTEE_ABSENT: "{name} was absent today; the office said they were out sick.",
    Attendance.MENTOR_ABSENT: "I was sick and could not make it this week.",
    Attendance.CANCELLED: "School was closed for a teacher in-service day.",
}
CONCERN = (
    "{name} had a bruise on the arm and said an older cousin grabbed them. "
    "I told the school counselor right away."
)
NEED_NOTES = {
    ResourceNeedKind.FOOD: "{name} said there is not much food at home at the end of the month.",
    ResourceNeedKind.CLOTHING: "{name} has no winter coat and was cold at recess.",
    ResourceNeedKind.HOUSEHOLD: "Their washing machine broke, so they wash clothes in the bathtub.",
    ResourceNeedKind.SCHOOL_SUPPLIES: "{name} needs a backpack and notebooks.",
}

# The Spanish-speaking mentor (pages and emails in Spanish) and the Spanish the program's
# administrator filled in: the lists' labels, the agreement, the help videos, prompt words.
SPANISH_MENTOR_EMAIL = "mentor.es@example.org"
SPANISH_LABELS = {
    "Mentoring Hours": "Horas de mentoría",
    "Group Activity": "Actividad en grupo",
    "Training": "Capacitación",
    "In-Person": "En persona",
    "Virtual": "Virtual",
    "Phone": "Por teléfono",
}
SPANISH_AGREEMENT = (
    "Me reuniré con mi estudiante cada semana en la escuela, registraré cada sesión antes "
    "de la fecha límite y reportaré cualquier preocupación urgente de seguridad al contacto "
    "de la escuela."
)
SPANISH_HELP_VIDEOS = (
    "Cómo registrar una sesión en un minuto | https://videos.example.org/es/registrar-sesion\n"
    "Qué hacer ante una preocupación de seguridad | https://videos.example.org/es/seguridad"
)
SPANISH_PROMPT_WORDS = "\n".join(
    [
        "hambre = food",
        "no hay comida = food",
        "desalojo = shelter",
        "sin casa = shelter",
        "sin abrigo = clothing",
        "sin zapatos = clothing",
        "lavadora = household",
        "enfermo = health",
        "enferma = health",
        "doctor = health",
        "mochila = school_supplies",
        "golpe = concern",
        "moretón = concern",
    ]
)
SPANISH_MET_NOTES = [
    "Jugamos a las cartas y hablamos del fin de semana. {name} estaba de buen humor y se "
    "rió mucho.",
    "Leímos juntos casi todo el tiempo. {name} estaba concentrada y orgullosa de terminar "
    "un capítulo.",
    "Hicimos un dibujo. {name} estaba más callada que de costumbre.",
    "Hablamos de sus metas para el semestre e hicimos una lista juntas. {name} estaba animada.",
]
SPANISH_ABSENT_NOTES = {
    Attendance.MENTEE_ABSENT: "{name} faltó hoy; en la oficina dijeron que estaba enferma.",
    Attendance.MENTOR_ABSENT: "Estuve enferma y no pude ir esta semana.",
    Attendance.CANCELLED: "La escuela cerró por un día de capacitación de maestros.",
}
