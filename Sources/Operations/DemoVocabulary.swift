import Domain
import SpoolBroker
/// The words demo tickets are made of: campus places, people and problem descriptions per category.
///
/// Kept apart from the generator so the texts can grow without touching the logic.
enum DemoVocabulary {
    static let buildings = [
        "Main Building", "University Library", "Science Centre", "Engineering Hall", "Student Union",
        "Sports Hall", "Birch House (residence)", "Maple Court (residence)", "Humanities Building",
        "Business School", "Medical Sciences Wing", "Arts Centre", "Computing Lab Building", "Refectory",
        "Admissions Office", "Chemistry Annex", "Music Pavilion", "Law Faculty",
    ]
    static let rooms = [
        "Room 0.12", "Room 1.04", "Room 1.22", "Room 2.14", "Room 2.31", "Room 3.07", "Room 4.18",
        "Lecture Theatre A", "Lecture Theatre B", "Seminar Room 5", "Ground floor corridor",
        "2nd floor toilets", "Main entrance", "Reading Room", "Study Pod 7", "Kitchen, floor 3",
        "Lab 3", "Lab 12", "Stairwell C", "Car park level -1", "Reception", "Common room",
    ]
    static let firstNames = [
        "Ana", "Ben", "Chiara", "Daniel", "Elif", "Farah", "Grace", "Hugo", "Ines", "Jonas", "Kwame", "Lena",
        "Mateo", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Samir", "Tara", "Umar", "Vera", "Wei", "Yusuf", "Zoe",
        "Aoife", "Bilal", "Carmen", "Dmitri", "Emma", "Felix", "Hana", "Igor", "Julia", "Kenji", "Lucas", "Maya",
    ]
    static let surnames = [
        "Okafor", "Schmidt", "Rossi", "Nguyen", "Kowalski", "García", "Haddad", "Murphy", "Yilmaz", "Silva",
        "Chen", "Novak", "Dubois", "Andersen", "Patel", "Müller", "O'Brien", "Kim", "Costa", "Ivanova",
    ]
    static let staff = ["Helpdesk – Sam", "Helpdesk – Jordan", "Helpdesk – Alex", "Facilities – Morgan", "IT Service – Robin", "Student Services – Kai"]

    /// Description templates per category; `{x}` slots are filled from `fillers`.
    static let templates: [Category: [String]] = [
        .facility: [
            "The heating in {room} is not working, it is freezing in here.",
            "Water is leaking from the ceiling near {room}.",
            "The lift in {building} is stuck between floors again.",
            "Lights keep flickering in {room}, impossible to read.",
            "The door to {room} does not lock any more.",
            "Toilets on this floor are blocked and overflowing.",
            "Broken chair and wobbly desk in {room}.",
            "The window in {room} will not close and it is raining in.",
            "No hot water in the showers of {building}.",
            "Air conditioning is far too cold in {room}, students are wearing coats.",
            "Bins have not been emptied for a week near {room}, it smells.",
            "Power socket near the {thing} sparks when you plug something in.",
            "Fire door at {room} is wedged open with a chair.",
            "The ramp at the entrance of {building} is blocked by bikes.",
        ],
        .it: [
            "Eduroam Wi-Fi keeps dropping in {room}.",
            "I cannot log in to the learning platform, it says my password expired.",
            "The projector in {room} shows no signal with HDMI.",
            "My university email is not syncing on my phone since {day}.",
            "Printer on floor {floor} says paper jam but there is no paper stuck.",
            "The {thing} in {room} does not boot, blue screen.",
            "VPN connection fails with an authentication error.",
            "I was locked out of my account after the password reset.",
            "Microphone in {room} does not work for the lecture recording.",
            "Software licence for {software} has expired on the lab computers.",
            "Cannot submit my assignment, the upload times out.",
            "Two-factor codes are not arriving by SMS.",
            "The network port in {room} is dead.",
            "Shared drive is not mounting on the {thing}s in {room}.",
        ],
        .services: [
            "The canteen in {building} closed early again today without notice.",
            "Prices in the refectory went up by {percent}% this term, that is too much.",
            "The library opening hours during exams are too short.",
            "I was charged the tuition fee twice this month.",
            "Shuttle bus to the north campus did not come at {time}.",
            "My student ID card has not arrived after {weeks} weeks.",
            "Staff at the {office} desk were rude to me this morning.",
            "The queue at the {office} office is over an hour long every day.",
            "My housing application has had no answer for {weeks} weeks.",
            "The vegetarian option in the canteen ran out before {time}.",
            "Library fine for a book I returned on time.",
            "Enrolment certificate request still not processed.",
            "Nobody answers the phone at the {office} office.",
            "Lockers in {building} were emptied without warning.",
        ],
    ]

    static let fillers: [String: [String]] = [
        "thing": ["PC", "lab computer", "smartboard", "coffee machine", "desk lamp", "lectern", "thin client"],
        "day": ["Monday", "the weekend", "the update", "last week", "yesterday"],
        "floor": ["1", "2", "3", "4", "ground"],
        "software": ["MATLAB", "SPSS", "AutoCAD", "Office", "ArcGIS", "LabVIEW"],
        "percent": ["10", "15", "20", "25"],
        "time": ["8:15", "9:40", "12:30", "17:05", "18:20"],
        "weeks": ["two", "three", "four", "six"],
        "office": ["admissions", "finance", "housing", "international", "registry", "library"],
    ]

    /// Staff answers by category, used as the first staff message.
    static let acknowledgements: [Category: [String]] = [
        .facility: ["Thanks, a caretaker is on the way.", "We have asked the maintenance team to look at it.", "A contractor is booked for this."],
        .it: ["Thanks, we are looking into it.", "Could you tell us the device and the exact error?", "We have reset it on our side, please try again."],
        .services: ["Thanks for letting us know, we passed it on to the office.", "We are checking this with the team concerned.", "Sorry about this, we are looking into it."],
    ]
    static let followUps = ["Any news on this?", "It happened again today.", "Thanks, still waiting.", "It is getting worse."]
    static let closings = ["Fixed, please reopen a ticket if it happens again.", "Resolved, thanks for your patience.", "Done – closing this ticket.", "This has been sorted out with the office."]
}
